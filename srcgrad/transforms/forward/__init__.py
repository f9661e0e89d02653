"""Forward mode (tangents) by source transformation; mirrors transforms/reverse/."""
