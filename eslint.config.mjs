import eslint from '@eslint/js';
import tsEslint from 'typescript-eslint';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';

export default tsEslint.config(
	{
		ignores: [
			'node_modules/**',
			'node/lib/**',
			'node/src/fbs/**',
			'worker/**',
			'rust/**',
			'.cache/**',
			'coverage/**',
		],
	},
	eslint.configs.recommended,
	{
		files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
		languageOptions: {
			globals: { ...globals.node },
		},
	},
	{
		files: ['**/*.ts'],
		extends: [tsEslint.configs.recommended],
		languageOptions: {
			globals: { ...globals.node },
		},
		rules: {
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
			],
			'@typescript-eslint/no-non-null-assertion': 'off',
			'@typescript-eslint/no-explicit-any': 'error',
			'no-console': 'error',
			eqeqeq: ['error', 'always'],
			'prefer-const': 'error',
		},
	},
	{
		files: ['node/src/test/**/*.ts'],
		languageOptions: {
			globals: { ...globals.jest },
		},
	},
	prettierRecommended
);
