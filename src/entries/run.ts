import { run } from '../actions/run.js';
void run();
