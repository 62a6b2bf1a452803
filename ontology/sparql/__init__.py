"""The public SPARQL endpoint's engine room: the guard, the result writers and the killable query workers.

They live beside the KnowledgeGraph facade because they are store access: web/ only asks them for an
answer and renders it."""
