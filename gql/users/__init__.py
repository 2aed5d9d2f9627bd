"""Users. The User type itself stands in gql/graph.py, with the types it reaches."""
