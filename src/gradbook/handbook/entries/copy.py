"""Assignment vs. shallow copy vs. deep copy, shown on a gradbook model's parameters."""
from __future__ import annotations

import copy as _copy

from ... import backend, no_grad
from ...nn import Linear, Module
from ..entry import Entry
from ..result import Result


class TwoLayer(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(4, 3)
        self.fc2 = Linear(3, 2)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


def _bump(model: Module) -> None:
    """An in-place update of the first weight, like one optimizer step."""
    with no_grad():
        model.fc1.weight.data += 1.0


def _moved(before: float, model: Module) -> bool:
    return float(model.fc1.weight.data[0, 0]) != before


def compute(quick: bool) -> Result:
    r = Result()
    backend.manual_seed(0)
    model = TwoLayer()
    alias = model
    shallow = _copy.copy(model)
    deep = _copy.deepcopy(model)
    snapshot = model.state_dict()
    before = float(model.fc1.weight.data[0, 0])
    _bump(model)
    r.number("alias_is_same_object", alias is model, "alias = model; alias is model")
    r.number("alias_sees_update", _moved(before, alias))
    r.number("shallow_is_new_object", shallow is not model, "copy.copy(model) is not model")
    r.number("shallow_shares_parameters", shallow.fc1.weight is model.fc1.weight)
    r.number("shallow_sees_update", _moved(before, shallow))
    r.number("deep_shares_parameters", deep.fc1.weight is model.fc1.weight, "copy.deepcopy(model)")
    r.number("deep_sees_update", _moved(before, deep))
    r.number("state_dict_sees_update", float(snapshot["fc1.weight"][0, 0]) != before, "model.state_dict()")
    shallow.fc2 = Linear(3, 2)  # rebinding an attribute of the shallow copy does not touch the original
    r.number("rebinding_in_shallow_changes_original", model.fc2 is shallow.fc2)
    r.table("What each copy sees after an in-place weight update",
            ["name", "new object?", "shares parameters?", "sees the update?"],
            [["alias = model", False, True, r.numbers["alias_sees_update"]],
             ["copy.copy(model)", True, r.numbers["shallow_shares_parameters"], r.numbers["shallow_sees_update"]],
             ["copy.deepcopy(model)", True, r.numbers["deep_shares_parameters"], r.numbers["deep_sees_update"]],
             ["model.state_dict()", True, False, r.numbers["state_dict_sees_update"]]])
    r.verdict("assignment-is-shallow-copy", "corrected" if alias is model else "confirmed")
    r.check("shallow-shares-children", r.numbers["shallow_is_new_object"] and r.numbers["shallow_shares_parameters"]
            and r.numbers["shallow_sees_update"])
    r.check("deep-is-independent", not r.numbers["deep_shares_parameters"] and not r.numbers["deep_sees_update"])
    return r


ENTRY = Entry(
    id="copy",
    section="J",
    title={"zh": "Python 浅拷贝与深拷贝", "en": "Shallow vs. deep copy"},
    keywords=["copy", "deepcopy", "shallow", "拷贝", "深拷贝", "浅拷贝", "引用", "reference"],
    claims={
        "assignment-is-shallow-copy": {"en": "Plain assignment `b = a` makes a shallow copy (as the notes put it).",
                                       "zh": "直接赋值 `b = a` 是默认的浅拷贝（笔记中的说法）。"},
        "shallow-shares-children": {
            "en": "`copy.copy` makes a new outer object whose children (here: the parameters) are shared with the original.",
            "zh": "`copy.copy` 创建新的外层对象，但其子对象（这里是参数）与原对象共享。"},
        "deep-is-independent": {"en": "`copy.deepcopy` copies the children too, so the copy is independent.",
                                "zh": "`copy.deepcopy` 连子对象一起复制，副本与原对象完全独立。"},
    },
    answer={
        "en": r"""
Python names are references to objects. Three levels of "copying" a model:

1. **Assignment** `alias = model` copies nothing — not even shallowly: it binds a second name to
   the same object (`alias is model`: {=alias_is_same_object}). Calling it a shallow copy, as
   the notes do, blurs the difference that matters: no new object exists.
2. **Shallow copy** `copy.copy(model)` makes a new module object ({=shallow_is_new_object}) whose
   attributes point at the *same* parameters ({=shallow_shares_parameters}). An in-place update
   (what an optimizer step does) shows up in both: {=shallow_sees_update}. A surprise: even
   *replacing* a layer of the copy replaces it in the original
   ({=rebinding_in_shallow_changes_original}), because a module keeps its children in one
   dictionary and the shallow copy shares that dictionary (PyTorch behaves the same way).
3. **Deep copy** `copy.deepcopy(model)` copies the parameters too
   ({=deep_shares_parameters}), so later training of the original does not reach it
   ({=deep_sees_update}).

In practice: to keep the best weights during training, store `copy.deepcopy(model)` or the arrays
of `state_dict()`. gradbook's `state_dict()` returns copies (it saw the update:
{=state_dict_sees_update}); PyTorch's returns tensors that share storage with the model, so there
you need `copy.deepcopy(model.state_dict())` for a snapshot.
""",
        "zh": r"""
Python 中的名字是对象的引用。"复制"一个模型有三个层次：

1. **赋值** `alias = model` 什么都没复制——连浅拷贝都不是：它只是给同一个对象再绑定一个名字（`alias is model`：
   {=alias_is_same_object}）。笔记把它称为浅拷贝，掩盖了关键区别：根本没有产生新对象。
2. **浅拷贝** `copy.copy(model)` 创建新的模块对象（{=shallow_is_new_object}），但其属性指向*同一批*参数
   （{=shallow_shares_parameters}）。原地更新参数（优化器每一步就是这样做的）会同时体现在两者上：{=shallow_sees_update}。
   更出人意料的是：连*替换*副本的某一层也会替换原模型的那一层（{=rebinding_in_shallow_changes_original}），因为模块把子模块存放在同一个字典里，
   浅拷贝共享了这个字典（PyTorch 也是如此）。
3. **深拷贝** `copy.deepcopy(model)` 连参数一起复制（共享参数：{=deep_shares_parameters}），之后继续训练原模型也不会影响它
   （{=deep_sees_update}）。

实践中：训练时要保存最优权重，应保存 `copy.deepcopy(model)` 或 `state_dict()` 的数组。gradbook 的 `state_dict()` 返回副本
（是否看到更新：{=state_dict_sees_update}）；PyTorch 的 `state_dict()` 返回与模型共享存储的张量，因此需要
`copy.deepcopy(model.state_dict())` 才能得到快照。
""",
    },
    compute=compute,
)
