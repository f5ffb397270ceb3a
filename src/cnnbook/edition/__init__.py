"""Other editions of the book built from the same notebooks: the PDF (:mod:`cnnbook.edition.pdf`)."""
