// Every test sees the labels the app loads at start: the `labels` command's answer, as the Rust
// bindings test wrote it beside the generated types.
import labels from '../src/api/generated/labels.json'
import type { Labels } from '../src/api/types'
import { setLabels } from '../src/lib/labels'

setLabels(labels as Labels)
