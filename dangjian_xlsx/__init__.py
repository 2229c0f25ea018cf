"""dangjian-xlsx: locked inspection forms out, one school-wide summary back in."""

__version__ = "0.1.0"
GENERATOR = "dangjian-xlsx"
