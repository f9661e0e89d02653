"""Random statements: assignments of every form, control flow, lists, in-place writes, aliasing.

Each statement keeps the invariants stated in scope.py. Assignments squash their value (tanh,
sin, or a damped update of the old value), so loops cannot blow values up. Loops are bounded
(`range` of small ints, while loops whose counter is incremented first so `continue` cannot
skip it). A write into an array reachable through a second name is recorded in `self.aliases`.
"""
from .exprs import Expr, Exprs
from .scope import Scope, Shape, Var

MAX_DEPTH = 2  # nesting of if/for/while


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


class Stmts(Exprs):
    """Draws statements and blocks for one function at a time (f and its helpers)."""

    budget = 0  # statements left in the current function

    def block(self, scope: Scope, size: int) -> list[str]:
        lines: list[str] = []
        for _ in range(size):
            if self.budget <= 0:
                break
            self.budget -= 1
            lines += self.statement(scope)
        return lines or [self.assign(scope)]

    def statement(self, scope: Scope) -> list[str]:
        kinds = ["assign", "assign", "temp", "tuple", "chain", "aug", "counter", "list_new", "list_new", "buffer",
                 "write", "write", "fold_call"]
        if scope.lists:
            kinds += ["append", "append", "assign_from_list"]
        if scope.depth < MAX_DEPTH:
            kinds += ["if", "if", "if_assign", "for", "for", "for", "while", "fib", "chain_loop", "alias"]
        if scope.in_loop:
            kinds += ["jump", "jump"]
        if scope.top:
            kinds += ["early_return"]
        return getattr(self, "_" + self.choice(kinds))(scope)

    # ---- helpers for statements

    def wrap(self, v: Var, e: Expr) -> str:
        """A squashed new value for `v` built from `e`, with v's shape."""
        forms = [f"0.5 * {v.name} + 0.5 * np.tanh({e.text})", f"{v.name} + 0.3 * np.sin({e.text})",
                 f"np.tanh({v.name} + {e.text})"]
        if e.shape == v.shape:
            forms = [f"np.tanh({e.text})", f"np.sin({e.text})"] + forms
        return self.choice(forms)

    def scalar_target(self, scope: Scope) -> Var | None:
        options = [v for v in scope.assignable() if v.shape == ()]
        return self.choice(options) if options else None

    def fold(self, scope: Scope, text: str) -> list[str]:
        """Make `text` (any shape) reach the output: add it into an existing scalar name."""
        s = self.scalar_target(scope)
        if s is None:
            return []
        return [f"{s.name} = {s.name} + 0.3 * np.sum(np.tanh({text}))"]

    def new_var(self, scope: Scope, name: str, shape: Shape, alias=frozenset(), buffer: bool = False) -> None:
        scope.floats[name] = Var(name, shape)
        self.aliases.union(name, alias)
        if buffer:
            scope.buffers.append(name)

    def assign(self, scope: Scope) -> str:
        v = self.choice(scope.assignable())
        return f"{v.name} = {self.wrap(v, self.expr(scope, v.shape))}"

    # ---- straight-line statements

    def _assign(self, scope: Scope) -> list[str]:
        self.feature("assign")
        return [self.assign(scope)]

    def _temp(self, scope: Scope) -> list[str]:
        e = self.expr(scope, self.choice(self.shapes))
        t = self.fresh("t")
        self.new_var(scope, t, e.shape, e.alias)
        self.feature("temp")
        return [f"{t} = {e.text}"]

    def _fold_call(self, scope: Scope) -> list[str]:
        if not self.helpers:
            return self._assign(scope)
        v = self.choice(scope.assignable())
        e = self._call(scope, v.shape, 1)
        return [f"{v.name} = {self.wrap(v, e)}"]

    def _tuple(self, scope: Scope) -> list[str]:
        targets = scope.assignable()
        kind = self.choice(["swap", "fib", "pair", "constants"])
        if kind == "constants" or len(targets) < 2:
            c1, c2 = self.fresh("c"), self.fresh("c")
            self.new_var(scope, c1, ())
            self.new_var(scope, c2, ())
            self.feature("tuple_assign", "nonvaried")
            return [f"{c1}, {c2} = {self.const()}, {self.const()}"]
        u = self.choice(targets)
        # a swap never hands an argument's object to a name that may be written in place (in a loop,
        # the write can come textually before the swap)
        same = [v for v in targets if v.shape == u.shape and v.name != u.name
                and self.aliases.is_protected(v.name) == self.aliases.is_protected(u.name)]
        if kind in ("swap", "fib") and same:
            v = self.choice(same)
            self.aliases.union(u.name, [v.name])
            if kind == "swap":
                self.feature("swap")
                return [f"{u.name}, {v.name} = {v.name}, {u.name}"]
            self.feature("tuple_assign", "tuple_shift")
            return [f"{u.name}, {v.name} = {v.name}, {self.wrap(v, self.expr(scope, v.shape))}"]
        v = self.choice([t for t in targets if t.name != u.name])
        self.feature("tuple_assign")
        return [f"{u.name}, {v.name} = {self.wrap(u, self.expr(scope, u.shape))}, "
                f"{self.wrap(v, self.expr(scope, v.shape))}"]

    def _chain(self, scope: Scope) -> list[str]:
        self.feature("chain_assign")
        v = self.choice(scope.assignable())
        value = self.wrap(v, self.expr(scope, v.shape))
        others = [u for u in scope.assignable() if u.shape == v.shape and u.name != v.name]
        if others and self.coin():
            u = self.choice(others).name
        else:
            u = self.fresh("t")
            self.new_var(scope, u, v.shape)
        self.aliases.union(u, [v.name])
        return [f"{u} = {v.name} = {value}"]

    def _aug(self, scope: Scope) -> list[str]:
        targets = [v for v in scope.assignable() if not self.aliases.is_protected(v.name)]
        if not targets:
            return self._assign(scope)
        v = self.choice(targets)
        e = self.expr(scope, v.shape)
        op = self.choice(["+=", "-=", "*=", "/="])
        value = {"+=": f"0.2 * np.sin({e.text})", "-=": f"0.1 * np.tanh({e.text})",
                 "*=": f"0.8 + 0.1 * np.tanh({e.text})", "/=": f"1.0 + {e.text} * {e.text}"}[op]
        if v.shape:
            if v.name in scope.frozen_arrays:  # `for e in v: v += ...`: the loop reads v's rows live, a second name
                self.aliases.union(f"_loop_over_{v.name}", [v.name])
            self.aliases.write(v.name)  # in place: other names of the array see it
            self.feature("augassign_array")
        else:
            self.feature("augassign")
        return [f"{v.name} {op} {value}"]

    def _counter(self, scope: Scope) -> list[str]:
        self.feature("int_counter")
        if scope.tallies and self.coin(0.7):
            k = self.choice(scope.tallies)
            return [self.choice([f"{k} += 1", f"{k} = {k} + 2", f"{k} += {self.choice(scope.ints)} % 2"])]
        k = self.fresh("k")
        scope.ints.append(k)
        scope.tallies.append(k)
        return [f"{k} = {self.choice(['0', '1'])}"]

    def _list_new(self, scope: Scope) -> list[str]:
        """A new non-empty list, sometimes filled by a loop of appends right away."""
        e = self.exact(scope, self.choice(self.shapes[:5]))
        hs = self.fresh("hs")
        self.aliases.union(hs, e.alias)
        self.feature("list")
        lines = [f"{hs} = [{e.text}]"]
        if self.coin():
            i = self.fresh("i")
            body = scope.child(ints=scope.ints + [i], in_loop=True)
            item = self.exact(body, e.shape, 1)
            self.aliases.union(hs, item.alias)
            self.feature("list_append", "for_range")
            lines += [f"for {i} in range({self.choice(['3', '2'] + sorted(self.bounded_ints & set(scope.ints)))}):",
                      f"    {hs}.append({self.wrap(Var(f'{hs}[-1]', e.shape), item)})"]
        h = self.fresh("h")
        fold = self.fold(scope, h) if self.coin() else []
        if fold:  # read it back in a loop
            self.feature("for_list")
            lines += [f"for {h} in {hs}:"] + indent(fold)
        scope.lists[hs] = e.shape
        return lines

    def _append(self, scope: Scope) -> list[str]:
        options = [h for h in scope.lists if h not in scope.frozen_lists]
        if not options:
            return self._assign(scope)
        hs = self.choice(options)
        e = self.exact(scope, scope.lists[hs])
        self.aliases.union(hs, e.alias)
        self.feature("list_append")
        return [self.choice([f"{hs}.append({e.text})", f"{hs} += [{e.text}]", f"{hs} = {hs} + [{e.text}]"])]

    def _assign_from_list(self, scope: Scope) -> list[str]:
        v = self.choice(scope.assignable())
        return [f"{v.name} = {self.wrap(v, self._list_read(scope, v.shape, 1))}"]

    def _buffer(self, scope: Scope) -> list[str]:
        shape = self.choice(self.shapes[1:5])
        b = self.fresh("buf")
        kind = self.choice(["zeros", "ones", "copy", "array", "full"])
        same = scope.with_shape(shape, exact=True)
        if kind == "copy" and same:
            text = f"{self.choice(same).name}.copy()"
        elif kind == "array" and len(shape) == 1:
            text = f"np.array([{', '.join(self.scalar(scope, 1).text for _ in range(shape[0]))}])"
        elif kind == "ones":
            text = f"np.ones({self.shape_text(shape)}) * {self.scalar(scope, 1).text}"
        elif kind == "full":
            text = f"np.full({self.shape_text(shape)}, {self.const()})"
        else:
            text = f"np.zeros({self.shape_text(shape)})"
        self.new_var(scope, b, shape, buffer=True)
        self.feature("buffer")
        lines = [f"{b} = {text}"]
        if self.coin():  # filled row by row, as users do
            i = self.fresh("i")
            body = scope.child(ints=scope.ints + [i], in_loop=True, frozen_arrays=scope.frozen_arrays | {b})
            value = self.exact(body, shape[1:], 1).text
            op = self.choice(["=", "+="])
            self.aliases.write(b)
            self.feature("write_index" if op == "=" else "write_index_aug")
            lines += [f"for {i} in range({shape[0]}):", f"    {b}[{i}] {op} np.tanh({value})"]
        return lines

    def writable(self, scope: Scope) -> list[str]:
        return [b for b in scope.buffers if b not in scope.frozen_arrays and not self.aliases.is_protected(b)]

    def write_into(self, scope: Scope, b: str, shape: Shape) -> str:
        """One in-place write into array `b` of `shape` (index, mask, slice, fancy index, augmented)."""
        self.aliases.write(b)
        kind = self.choice(["index", "index_aug", "mask", "slice_aug", "fancy", "whole"])
        self.feature("write_" + kind)
        m, n = self.m, self.n
        s = self.scalar(scope, 1).text
        if kind == "whole":
            return f"{b} *= {self.choice(['0.5', '0.9'])}"
        if kind == "mask":
            if self.coin():
                return f"{b}[np.abs({b}) < 0.5] = np.tanh({s})"
            e = self.exact(scope, shape, 1).text
            return f"{b}[{e} > {self.const()}] = np.sin({s})"
        if len(shape) == 1:
            if kind == "fancy":
                idx = sorted({self.integer(0, m - 1) for _ in range(2)})
                return f"{b}[{idx!r}] = np.tanh({self.exact(scope, (m,), 1).text})[{idx!r}]"
            if kind == "slice_aug":
                lo = self.integer(0, m - 1)
                return f"{b}[{lo}:{m}] += 0.5 * np.sin({s})"
            op = "+=" if kind == "index_aug" else "="
            return f"{b}[{self.index(scope, m)}] {op} np.tanh({s})"
        rows = shape[0]
        if kind == "fancy" or kind == "slice_aug":
            lo = self.integer(0, rows - 1)
            row = self.exact(scope, (shape[1],), 1).text
            return f"{b}[{lo}:] += 0.5 * np.tanh({row})"
        if kind == "index" and shape[1] > 1 and self.coin():
            return f"{b}[{self.index(scope, rows)}] = np.sin({self.exact(scope, (shape[1],), 1).text})"
        op = "+=" if kind == "index_aug" else "="
        return f"{b}[{self.index(scope, rows)}, {self.index(scope, shape[1])}] {op} np.tanh({s})"

    def _write(self, scope: Scope) -> list[str]:
        options = self.writable(scope)
        if not options:
            return self._buffer(scope)
        b = self.choice(options)
        return [self.write_into(scope, b, scope.floats[b].shape)]

    def _alias(self, scope: Scope) -> list[str]:
        """Writes through a second name: `z = buf`, a row view, or a list holding the array."""
        lines = self._buffer(scope)
        b = scope.buffers[-1]
        shape = scope.floats[b].shape
        kind = self.choice(["name", "view", "list", "aug"])
        self.feature("alias_" + kind)
        if kind in ("name", "aug"):
            z = self.fresh("z")
            self.new_var(scope, z, shape, frozenset([b]))
            lines.append(f"{z} = {b}")
            if kind == "aug":
                self.aliases.write(z)
                lines.append(f"{z} += {self.exact(scope, shape, 1).text}")
            else:
                lines.append(self.write_into(scope, z, shape))
        elif kind == "view":
            r = self.fresh("r")
            view = f"{b}[0]" if len(shape) == 2 else f"{b}[1:]"
            self.new_var(scope, r, (shape[1],) if len(shape) == 2 else (shape[0] - 1,), frozenset([b]))
            lines += [f"{r} = {view}", self.write_into(scope, b, shape)]
            lines += self.fold(scope, r)
        else:
            hs = self.fresh("hs")
            scope.lists[hs] = shape
            self.aliases.union(hs, [b])
            lines += [f"{hs} = []", f"{hs}.append({b})", self.write_into(scope, b, shape)]
            lines += self.fold(scope, f"np.stack({hs})")
        return lines + self.fold(scope, b)

    # ---- control flow

    def _if(self, scope: Scope) -> list[str]:
        inner = scope.child(depth=scope.depth + 1)
        lines = [f"if {self.cond(scope)}:"] + indent(self.block(inner.child(), self.integer(1, 3)))
        self.feature("if")
        for _ in range(self.integer(0, 2)):
            self.feature("elif")
            lines += [f"elif {self.cond(scope)}:"] + indent(self.block(inner.child(), self.integer(1, 2)))
        if self.coin():
            self.feature("else")
            lines += ["else:"] + indent(self.block(inner.child(), self.integer(1, 2)))
        return lines

    def _if_assign(self, scope: Scope) -> list[str]:
        """A new name assigned in every branch, read after the if."""
        shape = self.choice(self.shapes[:5])
        t = self.fresh("t")
        inner = scope.child(depth=scope.depth + 1)
        branches = [f"if {self.cond(scope)}:"]
        if self.coin():
            branches.append(f"elif {self.cond(scope)}:")
        branches.append("else:")
        lines, alias = [], set()
        for head in branches:
            body = self.block(inner.child(), self.integer(0, 1)) if self.coin() else []
            e = self.exact(inner, shape)
            alias |= e.alias
            lines += [head] + indent(body + [f"{t} = {e.text}"])
        self.new_var(scope, t, shape, frozenset(alias))
        self.feature("if_assign")
        return lines

    def _early_return(self, scope: Scope) -> list[str]:
        self.feature("early_return")
        return [f"if {self.cond(scope)}:", f"    return {self.readout(scope)}"]

    def _jump(self, scope: Scope) -> list[str]:
        kind = self.choice(["break", "continue"])
        self.feature(kind)
        return [f"if {self.cond(scope)}:", f"    {kind}"]

    def _for(self, scope: Scope) -> list[str]:
        body = scope.child(depth=scope.depth + 1, in_loop=True)
        arrays = [v for v in scope.floats.values() if v.shape]
        kind = self.choice(["range", "array", "enumerate", "zip", "reversed"] + ["list"] * 4 * bool(scope.lists))
        if kind in ("array", "enumerate", "zip", "reversed") and arrays:
            src = self.choice(arrays)
            elem = src.shape[1:]
            e = self.fresh("e")
            body.floats[e] = Var(e, elem, readonly=True)
            body.frozen_arrays |= {src.name}
            if elem:
                self.aliases.union(e, [src.name])  # rows of a 2-d array are views
            self.feature("for_" + kind)
            if kind == "array":
                head = f"for {e} in {src.name}:"
            elif kind == "reversed":
                head = f"for {e} in reversed({src.name}):"
            elif kind == "enumerate":
                i = self.fresh("i")
                body.ints.append(i)
                head = f"for {i}, {e} in enumerate({src.name}):"
            else:
                other = self.choice(arrays)
                q = self.fresh("q")
                body.floats[q] = Var(q, other.shape[1:], readonly=True)
                body.frozen_arrays |= {other.name}
                if other.shape[1:]:
                    self.aliases.union(q, [other.name])
                head = f"for {e}, {q} in zip({src.name}, {other.name}):"
        elif kind == "list" and scope.lists:
            hs = self.choice(list(scope.lists))
            h = self.fresh("h")
            body.floats[h] = Var(h, scope.lists[hs], readonly=True)
            body.frozen_lists |= {hs}
            self.aliases.union(h, [hs])
            self.feature("for_list")
            head = f"for {h} in {hs}:"
        else:
            i = self.fresh("i")
            ranges = ["range(3)", f"range({self.m})", "range(1, 4)", f"range({self.m - 1}, -1, -1)", "range(0, 5, 2)"]
            ranges += [f"range({k})" for k in scope.ints if k in self.bounded_ints]
            ranges += [f"range(len({h}) % 4)" for h in scope.lists]
            head = f"for {i} in {self.choice(ranges)}:"
            body.ints.append(i)
            self.feature("for_range")
        return [head] + indent(self.block(body, self.integer(1, 3)))

    bounded_ints: frozenset[str] = frozenset()  # int names small enough to be a trip count (parameters)

    def _while(self, scope: Scope) -> list[str]:
        k = self.fresh("k")
        body = scope.child(depth=scope.depth + 1, in_loop=True)
        body.ints.append(k)
        bound = self.choice(["3", "2", "5"] + [f"{i} + 1" for i in scope.ints if i in self.bounded_ints])
        extra = f" and {self.cond(scope)}" if self.coin(0.4) else ""
        self.feature("while")
        return ([f"{k} = 0", f"while {k} < {bound}{extra}:", f"    {k} += 1"]
                + indent(self.block(body, self.integer(1, 3))))

    def _fib(self, scope: Scope) -> list[str]:
        """`u, v = v, u + v` in a loop over names that start as constants (never differentiated)."""
        c1, c2, i = self.fresh("c"), self.fresh("c"), self.fresh("i")
        trips = self.choice(["3", "4"] + [k for k in scope.ints if k in self.bounded_ints])
        update = self.choice([f"{c2}, {c1} + {c2}", f"{c2}, 0.5 * ({c1} + {c2})"])
        self.feature("fib", "tuple_assign", "nonvaried")
        lines = [f"{c1}, {c2} = 0.0, 1.0", f"for {i} in range({trips}):", f"    {c1}, {c2} = {update}"]
        self.new_var(scope, c1, ())
        self.new_var(scope, c2, ())
        v = self.choice(scope.assignable())
        e = self.expr(scope, v.shape, 1)
        return lines + [f"{v.name} = {v.name} + 0.2 * {c1} * {e.text}"]

    def _chain_loop(self, scope: Scope) -> list[str]:
        """A while loop carrying many names that shift one place per iteration."""
        count = self.integer(20, 30) if self.coin() else self.integer(2, 6)  # long chains broke loops before
        shape = self.choice([(), (self.m,)])
        names = [self.fresh("x") for _ in range(count)]
        w, k = self.fresh("w"), self.fresh("k")
        self.feature("chain_loop", *(["many_vars"] if count >= 20 else []))
        base = self.fresh("t")
        lines = [f"{w} = 0.9 * np.tanh({self.scalar(scope, 1).text})", f"{base} = {self.exact(scope, shape, 1).text}"]
        lines += [f"{x} = {0.1 * (j + 1):.1f} * {base}" for j, x in enumerate(names)]
        trips = self.choice(["3", "5"] + [f"{i} + 1" for i in scope.ints if i in self.bounded_ints])
        lines += [f"{k} = 0", f"while {k} < {trips}:", f"    {k} += 1"]
        lines += [f"    {a} = {b} * {w}" for a, b in zip(names, names[1:])]
        lines += [f"    {names[-1]} = np.tanh({names[0]} + {self.expr(scope, shape, 1).text})"]
        for x in names:
            self.new_var(scope, x, shape)
        self.new_var(scope, w, ())
        return lines + self.fold(scope, f"{names[0]} + {names[count // 2]}")

    # ---- the return value

    def readout(self, scope: Scope) -> str:
        """A scalar built from a few names (and every list and buffer: they are easy to lose)."""
        terms = []
        names = list(scope.floats.values())
        picked = {self.choice(names).name for _ in range(self.integer(1, 3))}
        picked |= set(scope.buffers)
        for v in scope.floats.values():
            if v.name in picked:
                terms.append(v.name if v.shape == () else self.choice(
                    [f"np.sum({v.name})", f"np.mean({v.name} * {v.name})", f"np.sum(np.tanh({v.name}))"]))
        for hs, shape in scope.lists.items():
            forms = ["sum({})", "np.sum(np.stack({}))"] if shape == () else ["np.sum(np.stack({}))", "np.sum(sum({}))"]
            form = self.choice(forms)
            self.feature("stack" if "stack" in form else "list_sum")
            terms.append(form.format(hs))
        weights = ["", "0.5 * ", "0.3 * ", "-0.7 * "]
        return " + ".join(f"{self.choice(weights)}{t}" for t in terms)
