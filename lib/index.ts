// procdesc: the package's main entry. The descriptor API comes with its own issue; for now this
// re-exports the drop-in and says which path is in use.
export { capabilities, type Capabilities } from './capabilities';
export { ChildProcess } from './child_process';
export { spawn } from '../integrations/child_process';
