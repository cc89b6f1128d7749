// The recipe matrix on the singleFile shape (see recipe-scenario.ts).
import { recipeMatrix } from './recipe-scenario.js';

recipeMatrix('singleFile');
