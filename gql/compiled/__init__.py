"""Compiled execution of the hot read queries.

Why: graphql-core completes every field of every object on its own (a
resolver call, an ``Info``, an awaitable check, a path), about 20 µs each; a
page of 100 users with location, group and teams is some 2,400 fields, ten
times the work of the statements behind it. A query whose every field is
either a plain attribute of our types or has a bulk twin (bulk.py) is
planned once per document and then executed level by level: each field is
read for all objects of its level at once, with one statement per level for
the fields that load something, and the answer is built as plain dicts.

What is not compiled runs through Strawberry as always: mutations,
subscriptions, introspection, abstract types, directives, fields with
arguments below the root, and fields whose resolver has no twin. A compiled
execution that meets anything unusual (an error, a null where the schema
promises a value, variables that do not coerce) gives up without a trace and
the standard executor answers, errors and all: queries change nothing, so
running one again is safe. Answers are equal on both paths (tests/api/
test_compiled_api.py compares them; every API test runs on both).

On PostgreSQL the users page goes one step further (documents.py): when every
field selected has a source in the read model of domain/ports/documents.py, the
database writes the whole answer as JSON in one statement
(persistence/repositories/user_documents.py) and nothing is assembled here. It
serves the stored values as they are (enum columns hold the members' names, as
this code writes them), and it reads only for an administrator, within its
locations, so every user on the page is one it reads whole (``visibility.sees_private``):
a rule changed on one side alone shows in tests/api/test_page_documents_api.py,
which compares the answers with graphql-core's for VIPs, users without a group
and a sub-administrator.

The modules: plan.py plans an operation once (collecting fields, checking that
each has a twin or is a plain attribute), compiler.py caches the plans and
executes them (variables, arguments), documents.py maps a plan to a document's
shape, results.py writes the answer and leaves.py its scalars; bulk.py holds the
twins, which call the batch functions of gql/batches.py as the Strawberry
resolvers' DataLoaders do; the Strawberry internals all this needs are in
gql/strawberry_internals.py.
"""

from gql.compiled.compiler import Compiler, compiler_of
from gql.compiled.extension import CompiledExecution

__all__ = ["CompiledExecution", "Compiler", "compiler_of"]
