// The recipe matrix on the pythonFile shape (see recipe-scenario.ts).
import { recipeMatrix } from './recipe-scenario.js';

recipeMatrix('pythonFile');
