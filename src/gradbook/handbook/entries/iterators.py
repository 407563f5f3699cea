"""Iterables, iterators, generators and decorators, shown on gradbook's own DataLoader and no_grad."""
from __future__ import annotations

import collections.abc as abc
import inspect

import numpy as np

from ... import no_grad
from ...autograd import Tensor
from ...data import DataLoader, TensorDataset
from ..entry import Entry
from ..result import Result


class CountingDataset(TensorDataset):
    """A TensorDataset that counts how many samples were actually read."""

    def __init__(self, *arrays):
        super().__init__(*arrays)
        self.reads = 0

    def __getitem__(self, i):
        self.reads += 1
        return super().__getitem__(i)

    def get_batch(self, idx):
        self.reads += len(idx)
        return super().get_batch(idx)


def compute(quick: bool) -> Result:
    r = Result()
    ds = CountingDataset(np.arange(100, dtype=np.float32).reshape(100, 1), np.arange(100))
    loader = DataLoader(ds, batch_size=10, prefetch=0)
    it1, it2 = iter(loader), iter(loader)
    r.number("loader_is_iterator", isinstance(loader, abc.Iterator), "isinstance(DataLoader(...), Iterator)")
    r.number("loader_is_iterable", isinstance(loader, abc.Iterable))
    r.number("iter_gives_new_iterators", it1 is not it2 and iter(it1) is it1)
    r.number("passes_over_loader", [sum(1 for _ in loader), sum(1 for _ in loader)])
    ds.reads = 0
    first = next(it1)
    r.number("reads_after_one_batch", ds.reads, "next(iter(loader)) reads only one batch")
    rest = sum(1 for _ in it1)
    r.number("batches_left_after_first", rest)
    r.number("exhausted_iterator_yields", sum(1 for _ in it1))
    r.number("batch_iterator_is_generator", inspect.isgenerator(it2))
    r.number("generator_is_iterator", isinstance(it2, abc.Iterator))

    eager = iter(list(range(1_000)))  # an iterator over a list: every element already in memory
    r.number("list_iterator_is_iterator", isinstance(eager, abc.Iterator))

    x = Tensor([1.0, 2.0], requires_grad=True)

    @no_grad()
    def double(t):
        """Doubles t without recording the operation."""
        return t * 2

    with no_grad():
        in_context = (x * 2).requires_grad
    r.number("grad_inside_no_grad_context", in_context, "with gb.no_grad(): (x * 2).requires_grad")
    r.number("grad_from_decorated_function", double(x).requires_grad, "@gb.no_grad() def double(t): ...")
    r.number("grad_outside", (x * 2).requires_grad)
    r.number("decorated_name_kept", double.__name__)

    r.check("iterable-returns-iterator", r.numbers["loader_is_iterable"] and not r.numbers["loader_is_iterator"]
            and r.numbers["iter_gives_new_iterators"] and r.numbers["passes_over_loader"] == [10, 10])
    lazy = r.numbers["reads_after_one_batch"] == 10
    r.verdict("iterator-is-lazy", "depends" if lazy and r.numbers["list_iterator_is_iterator"] else "corrected")
    r.condition("An iterator yields one element at a time, but whether the elements were computed lazily depends "
                "on its source: a generator computes on demand, an iterator over a list walks data already in memory.")
    r.check("generator-is-iterator", r.numbers["batch_iterator_is_generator"] and r.numbers["generator_is_iterator"])
    r.check("decorator-adds-behaviour", not in_context and not r.numbers["grad_from_decorated_function"]
            and r.numbers["grad_outside"] and r.numbers["decorated_name_kept"] == "double")
    del first
    return r


ENTRY = Entry(
    id="iterators",
    section="J",
    title={"zh": "可迭代对象、迭代器、生成器、装饰器", "en": "Iterables, iterators, generators, decorators"},
    keywords=["iterator", "iterable", "generator", "yield", "decorator", "迭代器", "生成器", "装饰器", "可迭代"],
    claims={
        "iterable-returns-iterator": {
            "en": "An iterable's `__iter__` returns a new iterator; an iterator is used up after one pass.",
            "zh": "可迭代对象的 `__iter__` 返回一个新的迭代器；迭代器遍历一次后就耗尽。"},
        "iterator-is-lazy": {
            "en": "An iterator never loads all elements into memory at once (as the notes say).",
            "zh": "迭代器不会一次性把所有元素加载到内存（笔记中的说法）。"},
        "generator-is-iterator": {"en": "A generator (a function with `yield`) is a kind of iterator.",
                                  "zh": "生成器（含 `yield` 的函数）是一种特殊的迭代器。"},
        "decorator-adds-behaviour": {
            "en": "A decorator adds behaviour to a function without changing its code; `no_grad` is one, and also a context manager.",
            "zh": "装饰器在不修改函数代码的情况下为其增加功能；`no_grad` 既是装饰器也是上下文管理器。"},
    },
    answer={
        "en": r"""
**Iterable vs. iterator.** An *iterable* has `__iter__`, which hands out a fresh *iterator*; the
iterator has `__next__` and remembers where it is. gradbook's `DataLoader` is an iterable: it is
an iterator itself? {=loader_is_iterator}. Each `for` loop calls `iter(loader)` and gets a new
pass, so two loops give {=passes_over_loader} batches, while a used iterator yields
{=exhausted_iterator_yields} more.

**Generators.** The loader's pass is a generator (`yield` one batch at a time):
{=batch_iterator_is_generator}. It is lazy: after `next()` only {=reads_after_one_batch} samples
had been read. Laziness belongs to generators, not to iterators in general — `iter(a_list)` is an
iterator too ({=list_iterator_is_iterator}) over data already in memory. So the usual line
"iterators never load everything into memory" holds only for lazy sources.

**Decorators.** `@deco` above `def f` means `f = deco(f)`: a wrapper adds behaviour around the
original code. `gb.no_grad()` works both ways: inside `with gb.no_grad():` a product records no
graph (requires grad: {=grad_inside_no_grad_context}), a function decorated with
`@gb.no_grad()` returns {=grad_from_decorated_function}, and outside both
{=grad_outside}. With `functools.wraps` the wrapper keeps the name `{=decorated_name_kept}`.
""",
        "zh": r"""
**可迭代对象与迭代器。** *可迭代对象*实现 `__iter__`，每次返回一个新的*迭代器*；迭代器实现 `__next__`，并记住当前位置。
gradbook 的 `DataLoader` 是可迭代对象，它本身是迭代器吗？{=loader_is_iterator}。每个 `for` 循环都会调用
`iter(loader)` 开始新的一轮，所以两次循环分别得到 {=passes_over_loader} 个批次，而用过的迭代器只会再产出
{=exhausted_iterator_yields} 个。

**生成器。** DataLoader 的每一轮是一个生成器（用 `yield` 逐批产出）：{=batch_iterator_is_generator}。它是惰性的：
调用一次 `next()` 后只读取了 {=reads_after_one_batch} 个样本。惰性是生成器的性质，而不是所有迭代器的性质——
`iter(列表)` 同样是迭代器（{=list_iterator_is_iterator}），但遍历的是早已在内存中的数据。所以"迭代器不会一次性把所有元素加载到内存"
只对惰性的数据源成立。

**装饰器。** 在 `def f` 上写 `@deco` 等价于 `f = deco(f)`：包装函数在原代码前后增加功能。`gb.no_grad()` 两种用法都支持：
在 `with gb.no_grad():` 中计算不记录计算图（requires grad：{=grad_inside_no_grad_context}），用 `@gb.no_grad()`
装饰的函数返回 {=grad_from_decorated_function}，两者之外为 {=grad_outside}。借助 `functools.wraps`，包装后的函数仍叫
`{=decorated_name_kept}`。
""",
    },
    compute=compute,
)
