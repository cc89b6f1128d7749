// The recipe matrix on the envPythonPath shape (see recipe-scenario.ts).
import { recipeMatrix } from './recipe-scenario.js';

recipeMatrix('envPythonPath');
