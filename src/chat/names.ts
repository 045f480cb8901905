// Control characters would garble names in every client's display.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
