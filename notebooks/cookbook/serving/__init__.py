"""Chapter 16 (productionizing): nearest-neighbour indexes, a throw-away PostgreSQL server, the
Flask microservice served by gunicorn, headless-Chromium page checks, and the export formats
(SavedModel / TF Serving REST, ONNX, TFLite, Core ML) with their parity checks."""
