"""From files to text: reading each format (plain text, Markdown, the official XML, PDF in a
bounded child process), making untrusted text safe, walking a corpus and keeping duplicates once.

Nothing here knows of Whoosh."""
