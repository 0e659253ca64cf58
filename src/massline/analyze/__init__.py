"""Analysis: segmentation, classification, request type, urgency, sentiment, places, personal data."""
