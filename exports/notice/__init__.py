"""The 排名通报 as the office sends it: a 公文 (GB/T 9704-2012) whose prose is written from the marts.

facts.py     the figures, read from the marts with this package's own SQL (read-only)
notice.toml  the wording: paragraphs as templates with named figure slots (the office overrides it
             in <home>/config/notice.toml); config.py reads and checks it
prose.py     which sentences, filled from the figures by rules
compose.py   a draft or an issued notice put together; layout.py lays it out with python-docx;
             fonts.py names the office's fonts and finds stand-ins for the PDF
register.py  发文字号, taken once from the home's register; issue.py drafts and issues
"""
