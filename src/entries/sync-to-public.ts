import { run } from '../actions/sync-to-public.js';
void run();
