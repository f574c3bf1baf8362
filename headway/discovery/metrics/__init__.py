"""Pure maths of discovery (numpy only, no Django): the purpose survey's analysis."""
