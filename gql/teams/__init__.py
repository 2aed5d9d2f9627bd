"""Teams. The Team type stands in gql/graph.py, with the users it reaches."""
