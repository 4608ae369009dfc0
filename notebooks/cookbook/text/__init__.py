"""Text and sequence models: word vectors (ch. 3), link embeddings (ch. 4), character LSTMs
(ch. 5), question matching (ch. 6), text classifiers (ch. 7), sequence-to-sequence (ch. 8)."""
