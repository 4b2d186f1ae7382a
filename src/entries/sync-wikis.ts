import { run } from '../actions/sync-wikis.js';
void run();
