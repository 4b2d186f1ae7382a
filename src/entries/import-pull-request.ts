import { run } from '../actions/import-pull-request.js';
void run();
