#!/usr/bin/env python3
"""Loads a folder written by `lore dataset export` with Hugging Face `datasets`, as a trainer would, and
checks each split's columns against the format's shape.

    python3 scripts/check-dataset.py OUT_DIR [openai|sharegpt|alpaca]

Needs `pip install datasets`; the Swift tests do not depend on it.
"""
import sys

from datasets import load_dataset

SHAPES = {
    "openai": ("messages", "role", "content", {"system", "user", "assistant"}),
    "sharegpt": ("conversations", "from", "value", {"system", "human", "gpt"}),
}


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder = sys.argv[1].rstrip("/")
    fmt = sys.argv[2] if len(sys.argv) > 2 else "openai"
    files = {"train": f"{folder}/train.jsonl", "validation": f"{folder}/validation.jsonl"}
    data = load_dataset("json", data_files=files)
    problems = 0
    for split, rows in data.items():
        if fmt == "alpaca":
            want = {"instruction", "input", "output"}
            if set(rows.column_names) != want:
                print(f"{split}: columns {rows.column_names}, want {sorted(want)}")
                problems += 1
            for i, row in enumerate(rows):
                if not all(isinstance(row[k], str) for k in want) or not row["output"]:
                    print(f"{split} row {i}: not three strings with an output")
                    problems += 1
        else:
            column, speaker, text, speakers = SHAPES[fmt]
            if rows.column_names != [column]:
                print(f"{split}: columns {rows.column_names}, want [{column}]")
                problems += 1
                continue
            for i, row in enumerate(rows):
                turns = row[column]
                if not turns or any(t[speaker] not in speakers or not isinstance(t[text], str) for t in turns):
                    print(f"{split} row {i}: a turn with an unknown speaker or non-string text")
                    problems += 1
        print(f"{split}: {rows.num_rows} rows, columns {rows.column_names}")
    print("ok" if problems == 0 else f"{problems} problems")
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
