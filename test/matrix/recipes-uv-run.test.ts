// The recipe matrix on the uvRun shape (see recipe-scenario.ts).
import { recipeMatrix } from './recipe-scenario.js';

recipeMatrix('uvRun');
