"""Connect Admin: GraphQL API for the user administration of a unified-communications server."""
