// Minimal stand-in for Convex codegen output (convex-test locates the functions root by the
// `_generated` directory). Untyped data model: the fixture functions only touch `comments`.
export { internalMutationGeneric as internalMutation, mutationGeneric as mutation, queryGeneric as query } from 'convex/server';
