"""Locations and their configuration groups. The Location and ConfigurationGroup
types stand in gql/graph.py, with the users they reach."""
