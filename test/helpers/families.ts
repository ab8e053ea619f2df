/**
 * Three small real-code families of two implementations each (typed parameters, as real code
 * has), as JSONL lines: for the tests of training on real code.
 */
export const familyRow = (
  id: string,
  family: string,
  entry: string,
  args: string[],
  code: string,
) => JSON.stringify({ id, family, entry, args, code });

export const TINY_FAMILIES = [
  familyRow(
    "sq/0",
    "sq",
    "square_sum",
    ["small_nonneg_int"],
    "def square_sum(n: int) -> int:\n    total = 0\n    for i in range(n + 1):\n        total += i * i\n    return total\n",
  ),
  familyRow(
    "sq/1",
    "sq",
    "squares",
    ["small_nonneg_int"],
    "def squares(n: int) -> int:\n    return n * (n + 1) * (2 * n + 1) // 6\n",
  ),
  familyRow(
    "rev/0",
    "rev",
    "reverse",
    ["list[int]"],
    "def reverse(xs: list[int]) -> list[int]:\n    return xs[::-1]\n",
  ),
  familyRow(
    "rev/1",
    "rev",
    "reverse_loop",
    ["list[int]"],
    "def reverse_loop(xs: list[int]) -> list[int]:\n    out = []\n    for x in xs:\n        out.insert(0, x)\n    return out\n",
  ),
  familyRow(
    "vow/0",
    "vow",
    "vowels",
    ["str"],
    'def vowels(s: str) -> int:\n    return sum(1 for c in s if c in "aeiouAEIOU")\n',
  ),
  familyRow(
    "vow/1",
    "vow",
    "count_vowels",
    ["str"],
    'def count_vowels(text: str) -> int:\n    n = 0\n    for ch in text.lower():\n        if ch in "aeiou":\n            n += 1\n    return n\n',
  ),
];
