import { run } from '../actions/bilateral-mirror.js';
void run();
