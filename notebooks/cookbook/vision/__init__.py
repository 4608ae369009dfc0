"""Image models (chapters 9-12): the pretrained backbone, preprocessing and decoding."""
