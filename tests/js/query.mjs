// Runs one SPARQL query with Comunica against an endpoint and prints the result as JSON.
// Usage: node query.mjs <endpoint URL> <query>
import { QueryEngine } from "@comunica/query-sparql";

const [endpoint, query] = process.argv.slice(2);
const engine = new QueryEngine();
const result = await engine.query(query, { sources: [{ type: "sparql", value: endpoint }] });
if (result.resultType === "bindings") {
  const stream = await result.execute();
  const rows = (await stream.toArray()).map((b) => Object.fromEntries([...b].map(([k, v]) => [k.value, v.value])));
  console.log(JSON.stringify({ type: "bindings", rows }));
} else if (result.resultType === "boolean") {
  console.log(JSON.stringify({ type: "boolean", value: await result.execute() }));
} else {
  const stream = await result.execute();
  const quads = (await stream.toArray()).map((q) => [q.subject.value, q.predicate.value, q.object.value]);
  console.log(JSON.stringify({ type: "quads", quads }));
}
