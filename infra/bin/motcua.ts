import { createMotcuaApp } from './create-motcua-app.ts';

createMotcuaApp().app.synth();
