"""Back end: trees to text (unparse) and text to live functions (compile, linecache)."""
