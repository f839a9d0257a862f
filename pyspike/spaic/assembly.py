"""Assembly: SPAIC's container of neuron groups, nodes, sub-assemblies and connections.

A network is built as SPAIC builds it: by assigning members as attributes of an Assembly
(in a subclass's ``__init__``: they are collected in the order assigned), or by creating
them inside ``with assembly:``.  The members are a description only; nothing runs until
the Network lowers the structure to pyspike's groups and synapses
(:mod:`pyspike.spaic.lowering`).

>>> import pyspike.spaic as spaic
>>> class Two(spaic.Assembly):
...     def __init__(self):
...         super().__init__()
...         self.a = spaic.NeuronGroup(3, model="lif")
...         self.b = spaic.NeuronGroup(2, model="lif")
...         self.ab = spaic.Connection(self.a, self.b, link_type="full")
>>> two = Two()
>>> list(two._groups), list(two._connections), two.num
(['a', 'b'], ['ab'], 5)
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, List, Optional, Sequence, Union

from ..codegen.errors import ModelError
from . import context


def _error(message: str, where: str = "Assembly", symbol: Optional[str] = None):
    return ModelError(message, where=where, symbol=symbol)


class Assembly:
    """A set of member assemblies (neuron groups, nodes, other assemblies) and the
    connections between them (SPAIC's ``Assembly``): ``add_assembly``, ``del_assembly``,
    ``copy_assembly``, ``replace_assembly``, ``merge_assembly``, ``select_assembly``,
    ``add_connection``, ``del_connection``, ``assembly_hide`` and ``assembly_show``.
    """

    _class_label = "<asb>"
    is_terminal = False
    #: the table of an assembly that holds members of this kind
    member_table = "_groups"
    #: attribute names that are never members
    _INTERNAL = frozenset({"_groups", "_connections", "_projections", "_monitors",
                           "_learners", "supers"})

    def __init__(self, name: Optional[str] = None):
        for key, value in (("name", name), ("_groups", OrderedDict()),
                           ("_connections", OrderedDict()), ("_projections", OrderedDict()),
                           ("_monitors", OrderedDict()), ("_learners", OrderedDict()),
                           ("supers", []), ("hidden", False), ("type", [])):
            object.__setattr__(self, key, value)
        context.register(self)

    # -- membership -------------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        # members are registered whatever their name (SPAIC's examples assign
        # ``self._learner = Learner(...)``); internals are set with object.__setattr__
        if self._member_kind(value) is not None and name not in self._INTERNAL:
            self._register(name, value)
        object.__setattr__(self, name, value)

    @staticmethod
    def _member_kind(value) -> Optional[str]:
        """The table a member belongs in (its class says: ``member_table``)."""
        return getattr(type(value), "member_table", None)

    def _register(self, name: str, value) -> None:
        table = getattr(self, self._member_kind(value))
        for key, member in list(table.items()):
            if member is value and key != name:    # made in a with block, named now
                del table[key]
                self.__dict__.pop(key, None)
        if name in table and table[name] is not value:
            self._forget(table[name])
        table[name] = value
        if isinstance(value, Assembly) and self not in value.supers:
            value.supers.append(self)
        if value.name is None:
            object.__setattr__(value, "name", name)
        self._changed()

    def adopt(self, value) -> None:
        """A member made inside ``with self:``, under a name of its own."""
        table = getattr(self, self._member_kind(value))
        base = value.name or type(value).__name__.lower()
        name, k = base, 0
        while name in table or name in self.__dict__:
            k += 1
            name = f"{base}_{k}"
        self.__setattr__(name, value)

    def _forget(self, value) -> None:
        if isinstance(value, Assembly) and self in value.supers:
            value.supers.remove(self)

    def _changed(self) -> None:
        """The structure changed: a built network must be built again."""
        for sup in self.supers:
            sup._changed()

    def __enter__(self) -> "Assembly":
        context.enter(self)
        return self

    def __exit__(self, *exc) -> None:
        context.leave(self)

    # -- SPAIC's editing functions ------------------------------------------------------
    def add_assembly(self, name: str, assembly: "Assembly") -> None:
        """Add ``assembly`` as the member ``name``."""
        if not isinstance(assembly, Assembly):
            raise _error(f"add_assembly adds an Assembly, NeuronGroup or Node, not "
                         f"{type(assembly).__name__}", symbol=str(name))
        if assembly in self._groups.values():
            raise _error(f"'{assembly.name}' is a member of '{self.name}' already",
                         symbol=str(name))
        if name in self._groups:
            raise _error(f"'{self.name}' has a member named '{name}' already", symbol=name)
        self.__setattr__(name, assembly)

    def del_assembly(self, assembly: Optional["Assembly"] = None,
                     name: Optional[str] = None) -> None:
        """Remove a member (given or named) and every connection that touches it."""
        key = self._key_of(self._groups, assembly, name, "member")
        gone = self._groups.pop(key)
        self.__dict__.pop(key, None)
        self._forget(gone)
        for ckey, con in list(self._connections.items()):
            if con.touches(gone):
                del self._connections[ckey]
                self.__dict__.pop(ckey, None)
        self._changed()

    def add_connection(self, name: str, connection) -> None:
        """Add ``connection`` (between members of this assembly) as ``name``."""
        for end in (connection.pre, connection.post):
            if end not in self.all_assemblies():
                raise _error(f"connection '{name}' links '{end.name}', which is not in "
                             f"'{self.name}'", symbol=name)
        if name in self._connections:
            raise _error(f"'{self.name}' has a connection named '{name}' already",
                         symbol=name)
        self.__setattr__(name, connection)

    def del_connection(self, connection=None, name: Optional[str] = None) -> None:
        """Remove a connection, given or named."""
        key = self._key_of(self._connections, connection, name, "connection")
        del self._connections[key]
        self.__dict__.pop(key, None)
        self._changed()

    def copy_assembly(self, name: str, assembly: "Assembly") -> None:
        """Add a copy of ``assembly``'s structure (new groups, new connections between
        them, the same models and parameters) as the member ``name``."""
        self.add_assembly(name, assembly.structure_copy(name))

    def replace_assembly(self, old_assembly: "Assembly", new_assembly: "Assembly") -> None:
        """Put ``new_assembly`` where ``old_assembly`` was; connections that touched the
        old one now touch the new one."""
        key = self._key_of(self._groups, old_assembly, None, "member")
        self._forget(old_assembly)
        self._groups[key] = new_assembly
        object.__setattr__(self, key, new_assembly)
        if self not in new_assembly.supers:
            new_assembly.supers.append(self)
        for con in self.all_connections():
            con.replace_end(old_assembly, new_assembly)
        self._changed()

    def merge_assembly(self, assembly: "Assembly") -> None:
        """Add the members and connections of ``assembly`` not in this one already (a
        name taken by another member gets a suffix ``(1)``, ``(2)``, ...)."""
        for table in ("_groups", "_connections"):
            mine = getattr(self, table)
            for key, value in getattr(assembly, table).items():
                if any(value is v for v in mine.values()):
                    continue
                name, k = key, 0
                while name in mine:
                    k += 1
                    name = f"{key}({k})"
                mine[name] = value
                if isinstance(value, Assembly):
                    value.supers.append(self)
        self._changed()

    def select_assembly(self, assemblies: Sequence[Union["Assembly", str]],
                        name: Optional[str] = None, with_connection: bool = True
                        ) -> "Assembly":
        """A new Assembly holding the chosen members (objects or names) and, with
        ``with_connection``, the connections between them; this one is unchanged."""
        chosen = [self._groups[a] if isinstance(a, str) else a for a in assemblies]
        new = Assembly(name)
        for key, value in self._groups.items():
            if any(value is c for c in chosen):
                new._groups[key] = value
        if with_connection:
            for key, con in self._connections.items():
                if any(con.pre is c for c in chosen) and any(con.post is c for c in chosen):
                    new._connections[key] = con
        return new

    def assembly_hide(self) -> None:
        """Leave this assembly (and what is inside) out of builds until shown again."""
        object.__setattr__(self, "hidden", True)
        self._changed()

    def assembly_show(self) -> None:
        object.__setattr__(self, "hidden", False)
        self._changed()

    def add_type(self, kind: str) -> None:
        """A label that Projection policies select by."""
        self.type.append(kind)

    # -- traversal ----------------------------------------------------------------------
    def groups(self) -> Iterator["Assembly"]:
        """The terminal members (neuron groups and nodes), depth first, shown ones only."""
        if self.hidden:
            return
        if self.is_terminal:
            yield self
            return
        for member in self._groups.values():
            yield from member.groups()

    def all_assemblies(self) -> List["Assembly"]:
        """This assembly and every member, at any depth."""
        out = [self]
        for member in self._groups.values():
            out.extend(member.all_assemblies())
        return out

    def all_connections(self) -> list:
        """Every connection of this assembly and its members, projections' included."""
        out = list(self._connections.values())
        for proj in self._projections.values():
            out.extend(proj.connections())
        for member in self._groups.values():
            out.extend(member.all_connections())
        return out

    def all_members(self, table: str, shown: bool = False) -> list:
        """The members of ``table`` (monitors, learners) at any depth; ``shown``: of the
        shown assemblies only."""
        if shown and self.hidden:
            return []
        out = list(getattr(self, table).values())
        for member in self._groups.values():
            out.extend(member.all_members(table, shown))
        return out

    # -- what a build runs: hidden assemblies left out, as SPAIC's assembly_hide ---------
    def shown_connections(self) -> list:
        """The connections a build runs: those of shown assemblies between shown groups
        (a hidden assembly hides its members and its connections, and a connection into
        or out of it)."""
        if self.hidden:
            return []
        shown = {id(g) for g in self.groups()}
        return [c for c in self.all_connections() if id(c.pre) in shown and id(c.post) in shown]

    def members(self, kind: str) -> "OrderedDict":
        """The members of one kind by name, in order: ``"groups"`` (groups, nodes and
        assemblies), ``"connections"``, ``"projections"``, ``"monitors"`` or
        ``"learners"`` (the assembly's own table: read it, do not change it)."""
        if kind not in ("groups", "connections", "projections", "monitors", "learners"):
            raise _error(f"no members of kind {kind!r}", symbol=str(kind))
        return getattr(self, "_" + kind)

    @property
    def num(self) -> int:
        return sum(g.num for g in self.groups())

    def structure_copy(self, name: Optional[str] = None) -> "Assembly":
        """A new assembly of the same class whose groups are new groups of the same kind
        and whose connections join the new groups as the old ones joined the old."""
        new = Assembly.__new__(type(self))
        Assembly.__init__(new, name)
        twins = {}
        for key, member in self._groups.items():
            twins[id(member)] = copy = member.structure_copy(key)
            new._groups[key] = copy
            object.__setattr__(new, key, copy)
            copy.supers.append(new)
        for copy in new._groups.values():      # a decoder reads its group's twin
            if getattr(copy, "dec_target", None) is not None:
                object.__setattr__(copy, "dec_target",
                                   twins.get(id(copy.dec_target), copy.dec_target))
        for key, con in self._connections.items():
            pre, post = (twins.get(id(x), x) for x in (con.pre, con.post))
            new._connections[key] = copy = con.copy_between(pre, post)
            object.__setattr__(new, key, copy)
        return new

    @staticmethod
    def _key_of(table, obj, name, what: str) -> str:
        if name is not None:
            if name not in table:
                raise _error(f"no {what} named '{name}' (there are: "
                             f"{', '.join(table) or 'none'})", symbol=str(name))
            return name
        for key, value in table.items():
            if value is obj:
                return key
        raise _error(f"the {what} to delete or replace is not in this assembly")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, groups={list(self._groups)})"
