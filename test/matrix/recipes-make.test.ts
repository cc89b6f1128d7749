// The recipe matrix on the make shape (see recipe-scenario.ts).
import { recipeMatrix } from './recipe-scenario.js';

recipeMatrix('make');
