"""A question asked in Chinese, worded differently from any keyword, still finds its entry."""
import pytest

from gradbook.handbook import registry


@pytest.mark.parametrize("question, expected", [
    ("为什么要用残差网络", "resnet"),
    ("批归一化放在激活之前还是之后", "bn-placement"),
    ("怎么防止模型过拟合", "overfitting"),
    ("如何处理样本不均衡", "imbalance"),
])
def test_chinese_question_finds_its_entry(question, expected):
    found = [e.id for _, e in registry.search(question)[:3]]
    assert expected in found, found


def test_unrelated_chinese_finds_little():
    assert len(registry.search("今天天气很好")) < 5
