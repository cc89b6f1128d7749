// The recipe matrix on the srcModule shape (see recipe-scenario.ts).
import { recipeMatrix } from './recipe-scenario.js';

recipeMatrix('srcModule');
