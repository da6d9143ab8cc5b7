// The conformance build: the Worker of src/index.ts plus the official conformance suite's
// fixture pack, selected by FIXTURES=conformance. Its own entry point (wrangler `--env
// conformance`) keeps the fixtures out of the bundle everyone deploys.

import { registerFixtures } from './catalog/catalog.ts'
import { CONFORMANCE } from './fixtures/conformance.ts'
import { promptSet } from './prompts/prompt-set.ts'
import { resourceSet } from './resources/resource-set.ts'
import { toolSet } from './tools/toolset.ts'

registerFixtures('conformance', {
  tools: toolSet(CONFORMANCE.tools),
  resources: resourceSet(CONFORMANCE.resources, CONFORMANCE.templates),
  prompts: promptSet(CONFORMANCE.prompts),
})

export { default, KnowledgeBase, SessionShard, AuthStore } from './index.ts'
