// The recipe matrix on the binWrapper shape (see recipe-scenario.ts).
import { recipeMatrix } from './recipe-scenario.js';

recipeMatrix('binWrapper');
