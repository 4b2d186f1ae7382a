import { run } from '../actions/sync-to-custom.js';
void run();
