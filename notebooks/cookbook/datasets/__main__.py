"""``python -m cookbook.datasets`` lists the registry; ``--fetch`` downloads every entry."""

import sys

from ..acquire import AcquisitionError, describe_registry, fetch

failed = 0
for row in describe_registry():
    print(f"{row['name']:32s} {row['kind']:8s} {row['description']}")
    for src in row["sources"]:
        print(f"{'':35s}- {src}")
    if "--fetch" in sys.argv:
        try:
            print(f"{'':35s}=> {fetch(row['name'])}")
        except AcquisitionError as err:
            failed += 1
            print(err)
sys.exit(1 if failed else 0)
