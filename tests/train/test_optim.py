"""pyspike.train.optim: 20-step trajectories against torch.optim (float64 rtol 1e-12, float32
rtol 1e-6), schedules against torch.optim.lr_scheduler, the state dict, in-place updates
without per-step allocation, and the refusal of bad input.

The parameters are standard normal, so the tolerances are also given as absolute ones of
the same size: torch fuses some multiply-adds (one rounding where NumPy has two), and an
ulp of the update terms is large relative to a parameter that passes close to zero."""
import io
import tracemalloc

import numpy as np
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.train.optim import (SGD, Adam, AdamW, CosineAnnealingLR, ExponentialLR,
                                 StepLR)

TOL = {np.float64: 1e-12, np.float32: 1e-6}
CASES = [
    (SGD, dict(lr=0.1)),
    (SGD, dict(lr=0.1, momentum=0.9)),
    (SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (SGD, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.02)),
    (Adam, dict(lr=0.01)),
    (Adam, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    (Adam, dict(lr=0.01, amsgrad=True)),
    (AdamW, dict(lr=0.01)),
    (AdamW, dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
]


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def problem(dtype, steps=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"w": rng.standard_normal((3, 4)).astype(dtype),
              "b": rng.standard_normal(4).astype(dtype)}
    grads = [{k: rng.standard_normal(v.shape).astype(dtype) for k, v in params.items()}
             for _ in range(steps)]
    return params, grads


def torch_run(torch, cls, kw, params, grads, schedule=None):
    """The parameters after each step of torch.optim's ``cls``; a gradient left out of a
    step's dict is None there."""
    tensors = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    opt = getattr(torch.optim, cls.__name__)(list(tensors.values()), **kw)
    sched = schedule(opt) if schedule else None
    trajectory = []
    for g in grads:
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k]) if k in g else None
        opt.step()
        if sched:
            sched.step()
        trajectory.append({k: t.detach().numpy().copy() for k, t in tensors.items()})
    return trajectory, opt


def our_run(cls, kw, params, grads, schedule=None):
    ours = {k: v.copy() for k, v in params.items()}
    opt = cls(**kw)
    opt.attach(ours)
    sched = schedule(opt) if schedule else None
    trajectory = []
    for g in grads:
        opt.step(g)
        if sched:
            sched.step()
        trajectory.append({k: v.copy() for k, v in ours.items()})
    return trajectory, opt


def assert_same_trajectory(ours, theirs, tol):
    for mine, ref in zip(ours, theirs):
        for k in ref:
            assert mine[k].dtype == ref[k].dtype
            np.testing.assert_allclose(mine[k], ref[k], rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cls,kw", CASES)
def test_twenty_steps_follow_torch_optim(torch, cls, kw, dtype):
    params, grads = problem(dtype)
    assert_same_trajectory(our_run(cls, kw, params, grads)[0],
                           torch_run(torch, cls, kw, params, grads)[0], TOL[dtype])


@pytest.mark.parametrize("cls,kw", [CASES[3], CASES[6]])
def test_the_moments_and_buffers_equal_torchs_optimizer_state(torch, cls, kw):
    params, grads = problem(np.float64, steps=7)
    _, ours = our_run(cls, kw, params, grads)
    _, theirs = torch_run(torch, cls, kw, params, grads)
    state = ours.state_dict()
    for name, p in zip(params, theirs.param_groups[0]["params"]):
        for slot, ref in theirs.state[p].items():
            expected = ref.item() if slot == "step" else ref.numpy()
            np.testing.assert_allclose(state[f"{slot}/{name}"], expected, rtol=1e-12)


def test_a_parameter_left_out_of_a_step_is_skipped_as_torch_skips_a_none_grad(torch):
    params, grads = problem(np.float64)
    for g in grads[::3]:
        del g["b"]
    kw = dict(lr=0.01, weight_decay=0.1)
    ours, opt = our_run(Adam, kw, params, grads)
    assert_same_trajectory(ours, torch_run(torch, Adam, kw, params, grads)[0], 1e-12)
    assert opt.state_dict()["step/b"] == 13 and opt.state_dict()["step/w"] == 20


def test_adam_under_a_cosine_schedule_follows_torch(torch):
    params, grads = problem(np.float64)
    ours = our_run(Adam, dict(lr=0.05), params, grads,
                   lambda o: CosineAnnealingLR(o, T_max=3, eta_min=0.001))[0]
    theirs = torch_run(torch, Adam, dict(lr=0.05), params, grads,
                       lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
                           o, T_max=3, eta_min=0.001))[0]
    assert_same_trajectory(ours, theirs, 1e-12)


@pytest.mark.parametrize("name,ours,kw", [
    ("StepLR", StepLR, dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", ExponentialLR, dict(gamma=0.9)),
    ("CosineAnnealingLR", CosineAnnealingLR, dict(T_max=7)),
    ("CosineAnnealingLR", CosineAnnealingLR, dict(T_max=4, eta_min=0.05)),
])
def test_a_schedule_gives_torchs_learning_rates_epoch_after_epoch(torch, name, ours, kw):
    w = torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([w], lr=0.7)
    theirs = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    opt = SGD(0.7)
    sched = ours(opt, **kw)
    mine, ref = [], []
    for _ in range(30):
        topt.step()
        theirs.step()
        sched.step()
        mine.append(sched.get_last_lr())
        ref.append(theirs.get_last_lr()[0])
    np.testing.assert_allclose(mine, ref, rtol=1e-15, atol=1e-17)


# ---- in place, dtypes, allocation --------------------------------------------------------

@pytest.mark.parametrize("cls", [SGD, Adam, AdamW])
def test_parameters_are_updated_in_place_and_float32_state_stays_float32(cls):
    w = np.ones(5, dtype=np.float32)
    opt = cls(lr=0.1, **({"momentum": 0.9} if cls is SGD else {}))
    opt.attach({"w": w})
    opt.step({"w": np.full(5, 0.5)})                   # a float64 gradient is cast
    assert w.dtype == np.float32 and w[0] < 1.0
    arrays = [v for k, v in opt.state_dict().items() if k.endswith("/w") and
              not k.startswith("step")]
    assert arrays and all(a.dtype == np.float32 for a in arrays)


@pytest.mark.parametrize("cls,kw", [CASES[2], CASES[5], CASES[8]])
def test_a_step_allocates_no_parameter_sized_array(cls, kw):
    p = np.zeros(200_000)
    g = np.random.default_rng(0).standard_normal(p.shape)
    opt = cls(**kw)
    opt.attach({"p": p})
    opt.step({"p": g})
    tracemalloc.start()
    for _ in range(3):
        opt.step({"p": g})
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < p.nbytes // 20


# ---- state dict --------------------------------------------------------------------------

@pytest.mark.parametrize("cls,kw", [CASES[3], CASES[6], CASES[8]])
def test_a_state_dict_saved_with_savez_resumes_the_same_trajectory(cls, kw):
    params, grads = problem(np.float64)
    straight, _ = our_run(cls, kw, params, grads)
    first, opt = our_run(cls, kw, params, grads[:10])
    buffer = io.BytesIO()
    np.savez(buffer, **opt.state_dict())
    buffer.seek(0)
    loaded = dict(np.load(buffer))
    resumed = {k: v.copy() for k, v in first[-1].items()}
    fresh = cls(lr=1.0)
    fresh.attach(resumed)
    fresh.load_state_dict(loaded)
    assert fresh.lr == kw["lr"]
    for g, expected in zip(grads[10:], straight[10:]):
        fresh.step(g)
        for k in expected:
            np.testing.assert_array_equal(resumed[k], expected[k])


def test_a_state_dict_of_another_shape_is_refused_naming_the_parameter():
    opt = Adam()
    opt.attach({"w": np.zeros((2, 3))})
    state = opt.state_dict()
    other = Adam()
    other.attach({"w": np.zeros((3, 2))})
    with pytest.raises(ModelError, match=r"exp_avg/w has shape \(2, 3\).*\(3, 2\)") as e:
        other.load_state_dict(state)
    assert e.value.symbol == "w" and e.value.where == "Adam.load_state_dict"


def test_a_state_dict_for_other_parameter_names_is_refused_and_changes_nothing():
    opt = SGD(0.1, momentum=0.9)
    opt.attach({"w": np.zeros(2)})
    other = SGD(0.5, momentum=0.9)
    other.attach({"v": np.zeros(2)})
    with pytest.raises(ModelError, match=r"lacking \['momentum_buffer/v', 'step/v'\]"):
        other.load_state_dict(opt.state_dict())
    assert other.lr == 0.5


def test_a_state_dict_of_another_optimizer_is_refused():
    opt = Adam()
    opt.attach({"w": np.zeros(2)})
    other = AdamW()
    other.attach({"w": np.zeros(2)})
    with pytest.raises(ModelError, match="optimizer must be 'AdamW'.*got 'Adam'"):
        other.load_state_dict(opt.state_dict())


def test_a_schedule_state_dict_resumes_the_same_rates():
    opt = SGD(1.0)
    sched = CosineAnnealingLR(opt, T_max=5)
    for _ in range(3):
        sched.step()
    saved, lr = sched.state_dict(), opt.lr
    opt2 = SGD(lr)
    sched2 = CosineAnnealingLR(opt2, T_max=1)
    sched2.load_state_dict(saved)
    for _ in range(4):
        sched.step()
        sched2.step()
        assert opt2.lr == opt.lr


# ---- bad input ---------------------------------------------------------------------------

def test_a_gradient_of_the_wrong_shape_is_refused_before_any_parameter_changes():
    w, b = np.ones(3), np.ones(2)
    opt = SGD(0.1)
    opt.attach({"w": w, "b": b})
    with pytest.raises(ModelError, match=r"gradient of 'b'.*shape \(2,\); got shape \(3,\)"):
        opt.step({"w": np.ones(3), "b": np.ones(3)})
    assert w.tolist() == [1.0, 1.0, 1.0]


def test_a_gradient_for_an_unknown_name_is_refused():
    opt = Adam()
    opt.attach({"w": np.ones(3)})
    with pytest.raises(ModelError, match="'v', which is not an attached parameter") as e:
        opt.step({"v": np.ones(3)})
    assert e.value.symbol == "v"


def test_a_step_before_attach_is_refused():
    with pytest.raises(ModelError, match=r"call attach\(params\) first"):
        Adam().step({"w": np.ones(3)})


def test_a_parameter_that_cannot_be_updated_in_place_is_refused():
    with pytest.raises(ModelError, match="parameter 'w' must be a writeable NumPy array"):
        SGD(0.1).attach({"w": [1.0, 2.0]})
    with pytest.raises(ModelError, match="of int64"):
        SGD(0.1).attach({"w": np.arange(3)})


@pytest.mark.parametrize("make,symbol", [
    (lambda: SGD(-0.1), "lr"),
    (lambda: SGD(0.1, nesterov=True), "nesterov"),
    (lambda: SGD(0.1, momentum=-1.0), "momentum"),
    (lambda: Adam(betas=(0.9, 1.0)), "betas"),
    (lambda: AdamW(eps=-1.0), "eps"),
    (lambda: StepLR(SGD(0.1), step_size=0), "step_size"),
    (lambda: CosineAnnealingLR(SGD(0.1), T_max=0), "T_max"),
])
def test_a_bad_hyperparameter_is_refused_by_name(make, symbol):
    with pytest.raises(ModelError, match=symbol) as e:
        make()
    assert e.value.symbol == symbol
