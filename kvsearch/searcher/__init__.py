"""Answer queries from the published index: open it, plan a query, rank, count, facet,
highlight and suggest."""
