"""Chapter 14 (generating icons): the icon sets.

The book scrapes Icons8's icon set, which is proprietary. Offline we use the MIT-licensed
Tabler outline icons from the npm registry (5,491 single-stroke SVGs on a 24×24 grid). The online
path is the project's own release archive, fetched by URL."""

from ..acquire import Npm, Resource, Url, register

TABLER_VERSION = "3.52.0"

register(Resource(
    name="ch14-tabler-outline", filename="outline", sha256=None,
    description="Tabler icons, outline style: 5,491 SVGs, 24x24 grid, 2 px strokes",
    license="MIT (Paweł Kuna, @tabler/icons)",
    sources=(Npm("@tabler/icons", TABLER_VERSION, "icons/outline/"),)))

# The same icons as the project publishes them (online only; a zip of every style).
register(Resource(
    name="ch14-tabler-release-zip", filename=f"tabler-icons-{TABLER_VERSION}.zip", sha256=None,
    description="Tabler icons release archive (all styles, SVG and PNG)",
    license="MIT",
    notes="Unpinned: GitHub publishes no checksum for release assets and the archive could not be "
          "reached from where this registry was written; offline, the same icons come from the "
          "pinned npm version.",
    sources=(Url(f"https://github.com/tabler/tabler-icons/releases/download/v{TABLER_VERSION}/"
                 f"tabler-icons-{TABLER_VERSION}.zip", retries=1, timeout=60.0),)))
