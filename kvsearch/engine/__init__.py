"""The only code that touches Whoosh: the schema and codec, the segment writers, and the matchers
that read postings. See README.md in this folder for what it replaces in Whoosh and why."""
