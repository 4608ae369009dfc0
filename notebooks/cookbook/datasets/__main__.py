from ..acquire import describe_registry

for row in describe_registry():
    print(f"{row['name']:28s} {row['kind']:8s} {row['description']}")
    for src in row["sources"]:
        print(f"{'':31s}- {src}")
