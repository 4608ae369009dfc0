"""Chapter 15 (music): audio files to log-mel clips, the synthesised offline music set rendered
from real compositions, the music-folder index, and playlist co-occurrence models."""
